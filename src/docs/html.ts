/** Escaping for the docs page: every text that comes from a user goes through these. */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for HTML content and attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

/**
 * JSON to embed in `<script type="application/json">`: `<` written as \u003c, so no text in
 * the data (a description saying `</script>`, say) can end the script element early; the
 * line separators U+2028/U+2029 escaped for old parsers.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A template tag that joins arrays (rendered lists) and leaves values as given: escape them with esc(). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0]!;
  values.forEach((value, index) => {
    out += (Array.isArray(value) ? value.join('') : String(value ?? '')) + strings[index + 1]!;
  });
  return out;
}
