'use strict';
// The instance's entry point, a model of `function/runtime/bootstrap` in the public dump of the
// Yandex Cloud Functions Node.js runtime (github.com/vitalets/yandex-cloud-fn-internals).
// emulator/runtime.ts starts it with the environment the platform sets and serves the runtime
// API it polls (emulator/runtime-api.ts).

const ycRuntime = require('./runtime.cjs');

const errors = ycRuntime.createErrors(__filename);
ycRuntime.setupErrorHandling(errors);

const apiHost = process.env.AWS_LAMBDA_RUNTIME_API;
let handler;
try {
  handler = ycRuntime.loadHandler(process.env.LAMBDA_TASK_ROOT, process.env._HANDLER);
} catch (err) {
  errors.log(err);
  // The dump's bootstrap starts its loops even after a failed load, but exits as soon as the
  // failure is posted; here no loop starts, so no poll can pass for readiness.
  // Per the dump, `Runtime.handleInitError`: the load failure, posted once.
  ycRuntime.postToApi(apiHost, '/init/error', errors.json(err)).then(
    () => process.exit(1),
    (failure) => {
      errors.log(failure);
      process.exit(1);
    },
  );
}

if (handler !== undefined) {
  const { loop } = ycRuntime.createRuntime({ apiHost, handler, errors });
  // Per the dump: X_YCF_CONCURRENCY loops in this one process, each serving one invocation at a
  // time. Unset, the dump's formula gives NaN and starts none; the emulator always sets it.
  const concurrency = Math.max(1, Number.parseInt(process.env.X_YCF_CONCURRENCY, 10));
  for (let i = 0; i < concurrency; i++) setTimeout(loop, 0);
}
