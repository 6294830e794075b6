/*
 * The Runtime's edge loads Dolittle's contracts only through here (@dolittle-ts/contracts). Everything protobuf
 * stays inside grpc/: services map these classes to domain types and back.
 */
export * from '@dolittle-ts/contracts';
