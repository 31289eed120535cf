import { createPublicKey, constants as cryptoConstants, verify } from 'node:crypto';
import { type Server, type ServerUnaryCall, type sendUnaryData, status } from '@grpc/grpc-js';
import {
  type CreateIamTokenRequest,
  type CreateIamTokenResponse,
  IamTokenServiceService,
} from '@yandex-cloud/nodejs-sdk/iam-v1/iam_token_service';

export interface TrustedKey {
  keyId: string;
  serviceAccountId: string;
  publicKeyPem: string;
}

const AUDIENCE = 'https://iam.api.cloud.yandex.net/iam/v1/tokens';

const fromBase64Url = (text: string) => Buffer.from(text, 'base64url');

/**
 * IamTokenService.Create for service-account keys, as the real one checks them: a PS256 JWT,
 * signed by a key it knows (`kid`), issued by that key's account, for the IAM audience, unexpired.
 */
export function createIamTokens() {
  const keys = new Map<string, TrustedKey>();
  const tokenFor = (serviceAccountId: string) => `t1.iam-for-${serviceAccountId}`;

  const check = (jwt: string): string => {
    const [header, payload, signature] = jwt.split('.');
    if (!header || !payload || !signature) throw new Error('not a JWT');
    const head = JSON.parse(fromBase64Url(header).toString()) as { alg?: string; kid?: string };
    const claims = JSON.parse(fromBase64Url(payload).toString()) as {
      iss?: string;
      aud?: string;
      exp?: number;
    };
    const key = head.kid === undefined ? undefined : keys.get(head.kid);
    if (head.alg !== 'PS256' || !key) throw new Error('unknown key or algorithm');
    const valid = verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      {
        key: createPublicKey(key.publicKeyPem),
        padding: cryptoConstants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      },
      fromBase64Url(signature),
    );
    if (!valid) throw new Error('bad signature');
    if (claims.iss !== key.serviceAccountId || claims.aud !== AUDIENCE)
      throw new Error('wrong issuer or audience');
    if (!claims.exp || claims.exp * 1000 < Date.now()) throw new Error('expired');
    return key.serviceAccountId;
  };

  return {
    trust: (key: TrustedKey) => keys.set(key.keyId, key),
    tokenFor,
    addTo(server: Server) {
      server.addService(IamTokenServiceService, {
        create: (
          call: ServerUnaryCall<CreateIamTokenRequest, CreateIamTokenResponse>,
          callback: sendUnaryData<CreateIamTokenResponse>,
        ) => {
          try {
            const account = check(call.request.jwt ?? '');
            callback(null, {
              iamToken: tokenFor(account),
              expiresAt: new Date(Date.now() + 3_600_000),
            });
          } catch (error) {
            callback({
              code: status.UNAUTHENTICATED,
              details: `JWT refused: ${(error as Error).message}`,
            });
          }
        },
        createForServiceAccount: (
          _call: unknown,
          callback: sendUnaryData<CreateIamTokenResponse>,
        ) => callback({ code: status.UNIMPLEMENTED, details: 'not in the emulator' }),
      });
    },
  };
}
