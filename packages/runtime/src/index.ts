export * from "./config";
export * from "./logger";
export * from "./server";
export * from "./client";
export * from "./workBudget";
export * from "./idempotency";
export * from "./chatCompletions";
export { describeFailure, ERROR_DOMAIN, fromClientError, sentReason, toServerError, wireReason } from "./grpc-errors";
