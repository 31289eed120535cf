const ESC = '\\u001b';
/** Escape sequences go whole, so no half of one is left to show as text. */
const ESCAPE_SEQUENCE = new RegExp(
  [
    // CSI: parameters, intermediates, a final byte.
    `${ESC}\\[[0-?]*[ -/]*[@-~]`,
    // OSC, DCS, SOS, PM, APC: up to BEL or ST (ESC \), or to the end of the text when unterminated.
    `${ESC}[\\]PX^_][^\\u0007\\u001b]*(?:\\u0007|${ESC}\\\\)?`,
    // Any other escape: intermediates and a final byte, if they are there.
    `${ESC}[ -/]*[0-~]?`,
  ].join('|'),
  'g',
);
/** As a space, so a line stays one line and no value can forge the next. */
const LINE_SPACING = /[\t\n\v\f\r]/g;
const CONTROL = /\p{Cc}/gu;

/**
 * Text as a terminal may be given it when someone else chose it: a trigger id, a message id, an
 * API's message. A terminal obeys what it is sent, so an escape sequence could clear the screen,
 * move the cursor over a line already shown or retitle the window. Every control character (C0,
 * DEL, C1) goes, with the escape sequence it starts.
 */
export function terminalSafe(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(LINE_SPACING, ' ').replace(CONTROL, '');
}
