export * from './graph';
export * from './nodes';
export * from './schema';
export * from './template';
export * from './validate';
