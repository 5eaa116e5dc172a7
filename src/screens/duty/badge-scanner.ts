/**
 * Reading a badge's QR code with the camera through the browser's own BarcodeDetector (no
 * library). Only used where the browser has it; elsewhere the badge code is typed.
 */

interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: HTMLVideoElement): Promise<DetectedBarcode[]>;
}
type BarcodeDetectorCtor = new (options: { formats: string[] }) => BarcodeDetectorLike;

export interface BadgeScanner {
  stop(): void;
}

/** Start the camera into `video` and call `found` with the first QR code read. */
export async function badgeScanner(
  video: HTMLVideoElement,
  found: (code: string) => void,
): Promise<BadgeScanner> {
  const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorCtor }).BarcodeDetector;
  if (!Detector) throw new Error('BarcodeDetector is not available');
  const detector = new Detector({ formats: ['qr_code'] });
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: 'user' },
    audio: false,
  });
  video.srcObject = stream;
  await video.play();
  let stopped = false;
  const stop = () => {
    stopped = true;
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
  const look = async () => {
    if (stopped) return;
    try {
      const codes = await detector.detect(video);
      const code = codes.find((c) => c.rawValue.trim())?.rawValue.trim();
      if (code) {
        found(code);
        return;
      }
    } catch {
      // A frame that could not be read; try the next one.
    }
    if (!stopped) setTimeout(() => void look(), 250);
  };
  void look();
  return { stop };
}
