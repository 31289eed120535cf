'use strict';
// A model of the Yandex Cloud Functions Node.js runtime library, written after its public dump:
// github.com/vitalets/yandex-cloud-fn-internals, `function/runtime/runtime.js` (dumped from a
// nodejs16 instance; nothing public says nodejs22 differs). Comments name the part of the dump
// each piece follows. Not modelled: the preloaded-pool start (`preloadRuntime` with
// X_YCF_RUNTIME_POOL and /init/ready, /init/await), which sets the environment after Node has
// started, and the unbuffered reply mode, which the dump's bootstrap never turns on.

const http = require('node:http');
const path = require('node:path');
const querystring = require('node:querystring');

const API_PREFIX = '/2018-06-01/runtime';
// Per the dump, `maxWaitSeconds`: a poll for the next invocation may be held this long.
const MAX_WAIT_MS = 30 * 60 * 1000;
// Per the dump, `Runtime.nextInvocation`: the pauses before polling again.
const RETRY_PAUSE_MS = 10;
const BUSY_PAUSE_MS = 100;
const NOT_READY = 418;
const SYNC_WITHOUT_RESULT =
  'Non-async entry point should provide a result. Return a value or use async function instead';

// Per the dump, the `lambdaRuntime*` header names (node:http gives them in lower case).
const HEADERS = {
  requestId: 'lambda-runtime-aws-request-id',
  functionArn: 'lambda-runtime-invoked-function-arn',
  functionName: 'lambda-runtime-function-name',
  functionVersion: 'lambda-runtime-function-version',
  memoryLimit: 'lambda-runtime-memory-limit',
  deadline: 'lambda-runtime-deadline-ms',
  logGroup: 'lambda-runtime-log-group-name',
  token: 'lambda-runtime-token-json',
};

// One keep-alive agent for every call, as the dump's `agent`.
const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: MAX_WAIT_MS });

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One call to the runtime API at `AWS_LAMBDA_RUNTIME_API` (host or host:port; the emulator's
 * also has a secret path, which goes before the route as the dump builds the URL).
 */
function callApi(apiHost, method, route, body) {
  const url = new URL(`http://${apiHost}${API_PREFIX}${route}`);
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, agent }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        text += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode, headers: response.headers, text }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** Per the dump, each post checks `resp.ok` and throws otherwise. */
async function postToApi(apiHost, route, body) {
  const { status } = await callApi(apiHost, 'POST', route, body);
  if (status < 200 || status > 299) {
    throw new Error(`http://${apiHost}${API_PREFIX}${route} returned ${status}`);
  }
}

/** Per the dump, `parseJsonPayload`: data that is not JSON (no data too) arrives wrapped. */
function eventOf(data) {
  try {
    return JSON.parse(data);
  } catch {
    return { payload: data };
  }
}

/** Per the dump, `parseJsonSafe`: no header gives undefined, a malformed one null. */
function tokenOf(header) {
  if (typeof header !== 'string') return undefined;
  try {
    return JSON.parse(header);
  } catch {
    return null;
  }
}

function bodyBytes(event) {
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/**
 * The handler's second argument, per the dump's `Request` (its fields follow AWS Lambda's
 * context). The dump keeps the event on the object as `_data`, marked internal; here it is a
 * private field.
 */
class InvocationContext {
  #event;

  constructor(headers, event) {
    // node-fetch's `Headers.get`, which the dump reads them with, gives null for a missing one.
    const header = (name) => headers[name] ?? null;
    this.requestId = header(HEADERS.requestId);
    this.awsRequestId = this.requestId;
    this.invokedFunctionArn = header(HEADERS.functionArn);
    this.functionName = header(HEADERS.functionName);
    this.functionVersion = header(HEADERS.functionVersion);
    this.memoryLimitInMB = header(HEADERS.memoryLimit);
    this.deadlineMs = Number.parseInt(header(HEADERS.deadline), 10);
    this.logGroupName = header(HEADERS.logGroup);
    this.token = tokenOf(header(HEADERS.token));
    this.#event = event;
  }

  /** Per the dump: not clamped, so past the deadline it is negative. */
  getRemainingTimeInMillis() {
    return this.deadlineMs - Date.now();
  }

  /** Per the dump, `Request.getPayload`: the HTTP body by its exact Content-Type. */
  getPayload() {
    const event = this.#event;
    if (!Object.hasOwn(event, 'headers')) return Buffer.alloc(0);
    const hasBody = Object.hasOwn(event, 'body');
    switch (event.headers['Content-Type']) {
      case 'application/json':
        return hasBody ? JSON.parse(event.body) : {};
      case 'application/x-www-form-urlencoded':
        return hasBody ? querystring.parse(bodyBytes(event).toString()) : {};
      default:
        return hasBody ? bodyBytes(event) : Buffer.alloc(0);
    }
  }
}

/**
 * Per the dump, `Errors.cutStackRows`: the stack without its first row (the message), cut
 * before the first frame of the bootstrap script. Reading `stack` of a thrown null or
 * undefined throws here as it does there.
 */
function stackRows(err, bootstrapFile) {
  if (!err.stack) return [];
  const rows = err.stack.split('\n');
  const cut = rows.findIndex((row) => row.includes(`at ${bootstrapFile}`));
  return cut >= 1 ? rows.slice(1, cut) : rows.slice(1);
}

const FRAME = /^\s*at (?:(.+?) \((.+)\)|(.+))$/;
const LOCATION = /^(.+?):(\d+)(?::(\d+))?$/;

/** Per the dump, `Errors.stackTrace`: a frame parsed into its parts, any other row as it is. */
function stackFrame(row) {
  const frame = FRAME.exec(row);
  if (frame === null) return { line: row };
  const location = LOCATION.exec(frame[2] ?? frame[3]);
  const number = (text) => Number.parseInt(text, 10) || null;
  return {
    function: frame[1] ?? null,
    file: location?.[1] ?? null,
    line: location ? number(location[2]) : null,
    column: location ? number(location[3]) : null,
  };
}

function createErrors(bootstrapFile) {
  return {
    /** Per the dump, `Errors.errorJson`: what /error and /init/error are posted. */
    json(err) {
      return JSON.stringify({
        errorMessage: err.message,
        errorType: err.name,
        stackTrace: stackRows(err, bootstrapFile).map(stackFrame),
      });
    },

    /**
     * Per the dump, `Errors.logError`: one plain-text stdout line, the stack rows joined by
     * carriage returns. It is not JSON, so Cloud Logging shows it as text.
     */
    log(err, prefix) {
      const rows = stackRows(err, bootstrapFile);
      const head = prefix == null ? '[ERROR] ' : `[ERROR] ${prefix} `;
      process.stdout.write(`${head}${err}${rows.map((row) => `\r${row}`).join('')}\n`);
    },
  };
}

/**
 * Per the dump, `HandlerLoader.load`: `<module>.<export>`, the module resolved from the task
 * root by a plain require. The messages are the dump's.
 */
function loadHandler(taskRoot, location) {
  const parts = location.split('.', 2);
  const modulePath = parts.length === 2 ? path.join(taskRoot, parts[0]) : taskRoot;
  const name = parts.at(-1);
  const handler = require(modulePath)[name];
  if (!handler) throw new Error(`Can't find handler function ${name} in ${modulePath}`);
  if (typeof handler !== 'function') throw new Error(`${location} must be function`);
  return handler;
}

/**
 * Per the dump, `setupErrorHandling`: an uncaught error is logged and the process carries on,
 * so it never crashes the instance.
 */
function setupErrorHandling(errors) {
  const onUncaught = (error) => {
    try {
      errors.log(error, 'Uncaught Error:');
    } catch (failure) {
      errors.log(failure);
    }
  };
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
}

/** Per the dump, `Runtime.handleRequest`: the response body, `JSON.stringify` of the result. */
function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let result;
    try {
      result = handler(event, context);
    } catch (err) {
      reject(err);
      return;
    }
    // Only a native promise counts as async there; any other thenable is serialised as is.
    if (result instanceof Promise) {
      result.then((value) => JSON.stringify(value)).then(resolve, reject);
    } else if (result === undefined) {
      reject(new Error(SYNC_WITHOUT_RESULT));
    } else {
      try {
        resolve(JSON.stringify(result));
      } catch (err) {
        reject(err);
      }
    }
  });
}

function createRuntime({ apiHost, handler, errors }) {
  const reportError = (requestId, err) =>
    postToApi(apiHost, `/invocation/${requestId}/error`, errors.json(err));

  /** Per the dump, `Runtime.nextInvocation`: polls until the API hands out an invocation. */
  async function nextInvocation() {
    for (;;) {
      try {
        const { status, headers, text } = await callApi(apiHost, 'GET', '/invocation/next');
        if (status === 200 || status === 204) {
          const event = eventOf(text);
          return { event, context: new InvocationContext(headers, event) };
        }
        if (status === NOT_READY) await pause(BUSY_PAUSE_MS);
      } catch {
        // Retried like any other unexpected answer.
      }
      await pause(RETRY_PAUSE_MS);
    }
  }

  /**
   * Per the dump, `Runtime.work`: one invocation. While it runs, an uncaught error anywhere in
   * the process is posted as its error, so with several in flight each of them gets it.
   */
  async function work() {
    const { event, context } = await nextInvocation();
    const onUncaught = (error) => {
      try {
        reportError(context.requestId, error).catch((failure) => errors.log(failure));
      } catch (failure) {
        errors.log(failure);
      }
    };
    process.prependListener('uncaughtException', onUncaught);
    process.prependListener('unhandledRejection', onUncaught);
    try {
      try {
        const body = await runHandler(handler, event, context);
        await postToApi(apiHost, `/invocation/${context.requestId}/response`, body);
      } catch (err) {
        errors.log(err);
        await reportError(context.requestId, err);
      }
    } finally {
      process.removeListener('unhandledRejection', onUncaught);
      process.removeListener('uncaughtException', onUncaught);
    }
  }

  /** Per the dump, `Runtime.loop`: one invocation at a time; a failure of its own ends the process. */
  function loop() {
    work().then(
      () => setImmediate(loop),
      (err) => {
        errors.log(err);
        process.exit(1);
      },
    );
  }

  return { loop };
}

module.exports = { createErrors, createRuntime, loadHandler, postToApi, setupErrorHandling };
