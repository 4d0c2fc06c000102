export * from './adapter';
export * from './registry';
export * from './sanitize';
export { webformAdapter } from './webform.adapter';
