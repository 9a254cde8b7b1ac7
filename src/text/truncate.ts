/** Cuts long text to its head and tail with a note in the middle saying how much was left out. */
export function truncateMiddle(text: string, max: number): { text: string; truncated: boolean } {
  if (text.length <= max) return { text, truncated: false };
  const keep = Math.max(0, max - 80);
  const head = text.slice(0, Math.ceil(keep * 0.7));
  const tail = text.slice(text.length - Math.floor(keep * 0.3));
  const omitted = text.length - head.length - tail.length;
  return { text: `${head}\n[… ${omitted} characters omitted by mcpgw …]\n${tail}`, truncated: true };
}
