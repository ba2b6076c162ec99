'use strict';
// @huggingface/transformers imports sharp when it loads, but only calls it for image inputs,
// which an audio service never has. Calling it is a bug: say so instead of failing obscurely.
module.exports = function sharp() {
  throw new Error('sharp is not installed: this build processes audio only (see README, "Lean install")');
};
