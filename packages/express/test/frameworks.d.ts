// The two Express majors under test, installed side by side as aliases; both typed as @types/express.
declare module 'express4' {
  import express = require('express');
  export = express;
}
declare module 'express5' {
  import express = require('express');
  export = express;
}
