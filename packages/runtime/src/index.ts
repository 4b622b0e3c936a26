export * from "./errors";
export * from "./config";
export * from "./logger";
export * from "./server";
export * from "./client";
export { describeFailure, toServerError } from "./grpc-errors";
