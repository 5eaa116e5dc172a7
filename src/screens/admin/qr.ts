/** QR codes for the console's cards and enrollment codes (only this chunk loads `qrcode`). */
import QRCode from 'qrcode';

/** An SVG QR code for a URL, quiet zone included, scaling to its container. */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
}
