export * from './eventually';
export * from './sockets';
export * from './browser';
