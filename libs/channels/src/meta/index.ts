export * from './meta-signature';
export * from './meta-window';
export * from './graph-errors';
export * from './graph-client';
export * from './meta-webhook.parser';
export * from './meta.adapter';
