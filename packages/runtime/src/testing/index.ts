export * from './runtime-fixture.js';
