// Every screen on the 240x135 ESP32 ST7789 (keypad), German and English, matches its golden file.
import { goldenSuite } from './helpers/screens-golden.ts';

goldenSuite('esp32-st7789', 'esp32-st7789 (240x135)');
