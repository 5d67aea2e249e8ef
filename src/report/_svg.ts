/**
 * The small pieces the SVG chart is drawn with: escaping, coordinates, tick
 * steps, text wrapping, and where a box hides the least of the plot.
 *
 * @module
 */

/** Approximate advance of one character of 12 px sans-serif, for wrapping. */
export const CHAR_WIDTH_PX = 6.6;

/** Text safe inside an element or a quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** A coordinate with at most 2 decimals. */
export function px(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** A 1-2-5 tick step giving at most about `targetTicks` intervals over [0, max]. */
export function niceStep(max: number, targetTicks: number, integer: boolean): number {
  const raw = max / targetTicks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
  return integer ? Math.max(1, Math.round(step)) : step;
}

/** Words packed into lines of at most `maxChars` characters. */
export function wrap(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > maxChars) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** A tick value without floating-point noise (0.30000000000000004 reads 0.3). */
export function tickLabel(value: number): string {
  return String(Number(value.toPrecision(6)));
}

/** Something drawn on the plot, at a pixel position, that a box should not hide. */
export interface Mark {
  /** `[x, y]` in pixels. */
  at: readonly number[];
  /** How much hiding it costs: a measured point more than a sample of a line. */
  weight: number;
}

/**
 * Of the candidate top-left corners for a `width` × `height` box, the one
 * whose box (with 6 px to spare) hides the least weight of `marks`; the
 * earlier candidate on a tie.
 */
export function leastCovered(
  corners: readonly (readonly number[])[],
  marks: readonly Mark[],
  width: number,
  height: number,
): readonly number[] {
  const hidden = ([cx, cy]: readonly number[]) =>
    marks.reduce(
      (sum, mark) =>
        mark.at[0] >= cx - 6 && mark.at[0] <= cx + width + 6 && mark.at[1] >= cy - 6 &&
          mark.at[1] <= cy + height + 6
          ? sum + mark.weight
          : sum,
      0,
    );
  return corners.reduce((best, corner) => hidden(corner) < hidden(best) ? corner : best);
}
