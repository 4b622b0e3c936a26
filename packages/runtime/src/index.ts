export {
  ConfigError,
  type ConfigOf,
  exitWithConfigError,
  helpText,
  imageLimitOptions,
  type ImageLimitsConfig,
  imageLimitsOf,
  loadConfig,
  loadConfigOrExit,
  type Option,
  type Options,
  serverOptions,
} from "./config";
export { createLogger, type Logger } from "./logger";
export { exitOnSignals, FLOW_CONTROL_WINDOW, type MeshServer, type ServerConfig, type ServiceRegistration, type StartOptions, startServer } from "./server";
export { type ChannelConfig, createMeshChannel, createMeshClient } from "./client";
export { type Reservation, WorkBudget } from "./workBudget";
export { IdempotencyCache, type IdempotencyLimits } from "./idempotency";
export { ChatCompletionsClient, RateLimiter, type RemoteEndpointConfig, remoteEndpointFields } from "./chatCompletions";
export { describeFailure, ERROR_DOMAIN, fromClientError, sentReason, toServerError, wireReason } from "./grpcErrors";
export { authenticateCalls, authorize, bearerToken, OPERATOR_METHODS, type Role, TokenRoles } from "./auth";
export { MeshSecurity, meshSecurity } from "./meshSecurity";
export { MIN_TOKEN_CHARS, type SecurityConfig, securityOptions } from "./securityOptions";
export { CertificateFiles, WatchedFiles } from "./watchedFiles";
