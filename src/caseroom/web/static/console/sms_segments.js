// How an SMS text goes out: GSM-7 when every character is in the GSM 03.38
// alphabet (extension characters take two septets), else UCS-2 (UTF-16 units,
// an emoji takes two). Parts hold 160/153 septets or 70/67 units, and a character
// is never split across two parts. The server counts the same way
// (channels/sms/text.py); a browser test holds them to the same cases.

const GSM7_BASIC = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const GSM7_EXTENSION = new Set("\f^{}\\[~]|€");

const LIMITS = {
  "GSM-7": { single: 160, multi: 153 },
  "UCS-2": { single: 70, multi: 67 },
};

/** Units each character (code point) of the text takes in the given encoding. */
function unitSizes(chars, encoding) {
  if (encoding === "GSM-7") return chars.map((c) => (GSM7_EXTENSION.has(c) ? 2 : 1));
  return chars.map((c) => (c.codePointAt(0) > 0xffff ? 2 : 1));
}

/** {encoding, segments, units, perSegment} for a text about to be sent. */
export function smsSegments(text) {
  const chars = Array.from(text); // code points, so a surrogate pair stays whole
  const gsm = chars.every((c) => GSM7_BASIC.has(c) || GSM7_EXTENSION.has(c));
  const encoding = gsm ? "GSM-7" : "UCS-2";
  const sizes = unitSizes(chars, encoding);
  const units = sizes.reduce((sum, size) => sum + size, 0);
  const { single, multi } = LIMITS[encoding];
  if (units === 0) return { encoding, segments: 0, units: 0, perSegment: single };
  if (units <= single) return { encoding, segments: 1, units, perSegment: single };
  let segments = 1;
  let filled = 0;
  for (const size of sizes) {
    if (filled + size > multi) {
      segments += 1;
      filled = 0;
    }
    filled += size;
  }
  return { encoding, segments, units, perSegment: multi };
}
