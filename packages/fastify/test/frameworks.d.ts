// The two Fastify majors under test, installed side by side as aliases; both typed as the
// newest, which this package's types augment.
declare module 'fastify4' {
  import fastify = require('fastify');
  export = fastify;
}
declare module 'fastify5' {
  import fastify = require('fastify');
  export = fastify;
}
