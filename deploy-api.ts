/**
 * What the function offers its deployer (tools/deploy), and the only file of the function the
 * deployer imports: the checks that decide what the function accepts (its configuration, requests
 * and scope), the roles it needs, its resource kinds, the call helpers it talks to the cloud with,
 * and its build. A deploy that reads a setting the way the function does cannot drift from it.
 */
export { BUNDLE, buildIfNeeded, ROOT } from './build-if-needed';
export { Status, statusOf } from './src/cloud/grpc-status';
export { fetchMetadataToken } from './src/cloud/metadata-token';
export { TOKEN_PATTERN } from './src/cloud/token';
export { callWithRetries, methodName, type UnaryMethod } from './src/cloud/unary';
export { type Config, ENDPOINT_SETTINGS, loadConfig, SETTING_NAMES } from './src/config';
export { type CallName, ConfigError, RequestError } from './src/errors';
export {
  ACTIVE_OPERATIONS_QUOTA,
  CANCELLABLE_KINDS,
  type ResourceKind,
  type SweepSpec,
} from './src/model';
export { METRIC } from './src/report/observe/metrics';
export { parseRequest, type RequestLimits } from './src/request/parse';
export { scopeText } from './src/request/scope';
export { CANCEL_ROLE, FOLDERS_ROLE, LISTING_ROLE } from './src/roles';
