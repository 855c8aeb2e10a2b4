// Writes the JSON Schemas that are generated from zod declarations: the board
// profiles' (hardware/board.ts) and the call events' (provisioner/service/calls.ts).
// Run after changing either declaration: npm run gen:schemas
import { writeFileSync } from 'node:fs';
import { renderBoardSchema, SCHEMA_FILE } from '../hardware/board.ts';
import { CALL_EVENT_SCHEMA_FILE, renderCallEventSchema } from '../provisioner/service/calls.ts';

for (const [file, text] of [
  [SCHEMA_FILE, renderBoardSchema()],
  [CALL_EVENT_SCHEMA_FILE, renderCallEventSchema()],
]) {
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
