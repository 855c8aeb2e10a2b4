// Every screen on the 128x64 Pixl.js (4 buttons), German and English, matches its golden file.
import { goldenSuite } from './helpers/screens-golden.ts';

goldenSuite('pixljs-w5100', 'pixljs-w5100 (128x64)');
