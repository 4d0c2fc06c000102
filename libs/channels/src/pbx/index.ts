export * from './pbx-signature';
