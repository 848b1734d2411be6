// Configuration-block layer: RRAS info blocks, typed config-struct schemas, adapter bindings.
export * from './infoBlock.js';
export * from './schema.js';
export * from './binding.js';
export * from './ipv6.js';
