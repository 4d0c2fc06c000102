export * from './twilio-signature';
export * from './twilio-rest-client';
export * from './twilio-errors';
export * from './twilio-inbound';
export * from './twilio-messaging.adapter';
export * from './twilio-twiml';
