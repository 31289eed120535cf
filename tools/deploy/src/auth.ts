import { constants as cryptoConstants, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { credentials } from '@grpc/grpc-js';
import {
  CreateIamTokenRequest,
  type CreateIamTokenResponse,
  IamTokenServiceClient,
} from '@yandex-cloud/nodejs-sdk/iam-v1/iam_token_service';
import {
  callWithRetries,
  fetchMetadataToken,
  TOKEN_PATTERN,
  type UnaryMethod,
} from '../../../deploy-api';
import { DeployError } from './deploy-error';

const AUDIENCE = 'https://iam.api.cloud.yandex.net/iam/v1/tokens';
export const DEFAULT_IAM_ENDPOINT = 'iam.api.cloud.yandex.net:443';

/** The fields of an authorized key file (`yc iam key create --output key.json`) that sign a JWT. */
interface KeyFile {
  id: string;
  service_account_id: string;
  private_key: string;
}

function readKeyFile(file: string): KeyFile {
  let parsed: Partial<KeyFile>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    // Not the parser's message: it quotes the text around the fault, which may be the private key.
    const why = (error as NodeJS.ErrnoException).code ?? 'not JSON';
    throw new DeployError(`${file} is not a readable key file (${why})`);
  }
  const { id, service_account_id: account, private_key: key } = parsed;
  if (typeof id !== 'string' || typeof account !== 'string' || typeof key !== 'string') {
    throw new DeployError(
      `${file} lacks id, service_account_id or private_key: create one with yc iam key create`,
    );
  }
  return { id, service_account_id: account, private_key: key };
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The PS256 JWT that IAM exchanges for a token, valid for an hour. */
export function serviceAccountJwt(key: KeyFile, now = Date.now()): string {
  const iat = Math.floor(now / 1000);
  const unsigned = `${base64url({ typ: 'JWT', alg: 'PS256', kid: key.id })}.${base64url({
    aud: AUDIENCE,
    iss: key.service_account_id,
    iat,
    exp: iat + 3600,
  })}`;
  const signature = sign('sha256', Buffer.from(unsigned), {
    key: key.private_key,
    padding: cryptoConstants.RSA_PKCS1_PSS_PADDING,
    saltLength: 32,
  });
  return `${unsigned}.${signature.toString('base64url')}`;
}

async function tokenFromKeyFile(file: string, endpoint: string): Promise<string> {
  const client = new IamTokenServiceClient(endpoint, credentials.createSsl());
  try {
    const create = client.create.bind(client) as unknown as UnaryMethod<
      CreateIamTokenRequest,
      CreateIamTokenResponse
    >;
    const request = CreateIamTokenRequest.fromPartial({
      jwt: serviceAccountJwt(readKeyFile(file)),
    });
    // IAM needs no token to exchange a signed JWT; the header is sent empty.
    const answer = await callWithRetries('iam.create', create, request, '', {
      callTimeoutMs: 30_000,
      retryAttempts: 3,
      retryBaseDelayMs: 500,
    });
    return checkedToken(
      answer.value.iamToken,
      `what IAM answered for the key in ${file}`,
      'check YC_IAM_ENDPOINT',
    );
  } catch (error) {
    if (error instanceof DeployError) throw error;
    throw new DeployError(`IAM refused the key in ${file}: ${(error as Error).cause ?? error}`, {
      cause: error,
    });
  } finally {
    client.close();
  }
}

/**
 * A token as it may go into an `authorization` header, or a DeployError naming where it came from
 * and never the token: grpc-js refuses a header value with other characters by an error that
 * quotes the whole value, which would put the token on the screen.
 */
function checkedToken(token: string, what: string, fix: string): string {
  if (TOKEN_PATTERN.test(token)) return token;
  throw new DeployError(
    `${what} is not a token: it is empty, or holds a space, a line break or a character outside ASCII; ${fix}`,
  );
}

/**
 * The deployer's token: YC_IAM_TOKEN, else one from a service-account key file, else, where
 * YC_METADATA_TOKEN_URL says there is one, the metadata service's (as the function gets its own).
 * The metadata service is not asked unbidden: off a VM the address goes nowhere.
 */
export async function deployToken(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const token = env.YC_IAM_TOKEN?.trim();
  if (token)
    return checkedToken(token, 'YC_IAM_TOKEN', 'set it to what yc iam create-token prints');
  const keyFile = env.YC_SERVICE_ACCOUNT_KEY_FILE?.trim();
  if (keyFile) return tokenFromKeyFile(keyFile, env.YC_IAM_ENDPOINT || DEFAULT_IAM_ENDPOINT);
  const metadataUrl = env.YC_METADATA_TOKEN_URL?.trim();
  if (metadataUrl) return (await fetchMetadataToken(metadataUrl)).accessToken;
  return undefined;
}
