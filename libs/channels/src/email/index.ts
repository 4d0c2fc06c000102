export * from './email-parser';
export * from './email.adapter';
export * from './imap-client.util';
export * from './imap-sync.util';
export * from './mailbox-copies.util';
export * from './sender-addresses';
