export * from './eventually';
export * from './sockets';
export * from './browser';
export * from './dovecot';
export * from './smtp-capture';
export * from './graph-server';
export * from './twilio-server';
export * from './oidc-server';
