'use strict';
// Under Node.js, @huggingface/transformers loads onnxruntime-node; its dist bundles the web
// runtime it would use in a browser, so this package is never loaded. If it is, say why it is empty.
throw new Error('onnxruntime-web is not installed: this service runs models with onnxruntime-node (see README, "Lean install")');
