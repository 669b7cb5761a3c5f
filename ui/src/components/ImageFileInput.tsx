/** The formats the server decodes (JPEG 2000 by extension too: browsers rarely know its type). */
const ACCEPTED_IMAGES = 'image/jpeg,image/png,image/webp,image/jp2,.jp2';

export function ImageFileInput(p: { label: string; onPick: (file: File | undefined) => void }) {
  return (
    <label>
      {p.label}
      <input
        type="file"
        accept={ACCEPTED_IMAGES}
        onChange={(e) => p.onPick(e.currentTarget.files?.[0])}
        required
      />
    </label>
  );
}
