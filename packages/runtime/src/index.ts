export * from "./errors";
export * from "./config";
export * from "./logger";
export * from "./server";
export * from "./client";
export * from "./asyncQueue";
export * from "./idempotency";
export * from "./chatCompletions";
export { describeFailure, fromClientError, toServerError } from "./grpc-errors";
