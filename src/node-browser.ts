// What a bundler for the browser gets for `nnlstm/node`: its file, process and runtime loading need Node.
throw new Error("nnlstm/node needs Node.js (files, child processes); in a browser import from 'nnlstm', 'nnlstm/suite' and 'nnlstm/tflite'");
