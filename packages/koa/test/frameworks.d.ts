// The two Koa majors under test, installed side by side as aliases; both typed as @types/koa.
declare module 'koa2' {
  import Koa = require('koa');
  export = Koa;
}
declare module 'koa3' {
  import Koa = require('koa');
  export = Koa;
}
