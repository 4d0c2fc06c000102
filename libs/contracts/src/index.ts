export * from './enums';
export * from './normalize';
export * from './reference';
export * from './channel-config';
export * from './schemas';
export * from './dto';
export * from './events';
export * from './inbound';
