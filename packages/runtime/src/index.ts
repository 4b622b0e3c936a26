export * from "./config";
export * from "./logger";
export * from "./server";
export * from "./client";
export * from "./workBudget";
export * from "./idempotency";
export * from "./chatCompletions";
export { describeFailure, fromClientError, toServerError } from "./grpc-errors";
