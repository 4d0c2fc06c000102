export * from './adapter';
export * from './registry';
export * from './sanitize';
export { webformAdapter } from './webform.adapter';
export * from './meta';
export * from './twilio';
export * from './pbx';
export * from './email';
