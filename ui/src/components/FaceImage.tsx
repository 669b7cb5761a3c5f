import { useEffect, useState } from 'preact/hooks';
import { adminImageUrl, type ImageAnalysis } from '../adminApi.ts';

/**
 * An uploaded image with what the engine found drawn over it: the face box and the landmarks.
 * The overlay is an SVG in the image's own pixel coordinates, stretched over the image as
 * displayed, so it stays on the face at any width.
 */
export function FaceImage({
  label,
  href,
  uploaded,
  analysis,
}: {
  label: string;
  href: string;
  uploaded: boolean;
  analysis: ImageAnalysis | null | undefined;
}) {
  const [src, setSrc] = useState<string>();
  const [failed, setFailed] = useState<string>();
  useEffect(() => {
    if (!uploaded) return;
    let url: string | undefined;
    let live = true;
    adminImageUrl(href).then(
      (made) => {
        url = made;
        if (live) setSrc(made);
        else URL.revokeObjectURL(made);
      },
      (error: Error) => live && setFailed(error.message),
    );
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [href, uploaded]);

  const face = analysis?.face ?? null;
  const landmarks = face?.landmarks ?? [];
  return (
    <figure class="face-figure" data-testid={`image-${label.toLowerCase()}`}>
      <figcaption>
        <h3>{label}</h3>
      </figcaption>
      <div class="face-frame">
        {!uploaded && <p class="muted">Not uploaded.</p>}
        {failed && <p class="error">{failed}</p>}
        {src && (
          <img
            src={src}
            alt={`${label} as uploaded${face ? ', with the detected face outlined' : ''}`}
            data-testid="face-photo"
          />
        )}
        {src && analysis && analysis.width > 0 && face && (
          <svg
            class="face-overlay"
            viewBox={`0 0 ${analysis.width} ${analysis.height}`}
            preserveAspectRatio="none"
            aria-hidden="true"
            data-testid="face-overlay"
          >
            <rect
              class="face-box"
              x={face.box.x}
              y={face.box.y}
              width={face.box.width}
              height={face.box.height}
              vector-effect="non-scaling-stroke"
              data-testid="face-box"
            />
            {landmarks.map((point) => (
              <circle
                key={point.name}
                class="landmark"
                cx={point.x}
                cy={point.y}
                r={Math.max(2, face.box.width / 40)}
                data-testid="landmark"
              >
                <title>{point.name}</title>
              </circle>
            ))}
          </svg>
        )}
      </div>
      <ImageFacts analysis={analysis} landmarks={landmarks.length} />
    </figure>
  );
}

function ImageFacts({
  analysis,
  landmarks,
}: {
  analysis: ImageAnalysis | null | undefined;
  landmarks: number;
}) {
  if (!analysis)
    return <p class="muted">No analysis (the submission has no result yet, or this image was not read).</p>;
  const face = analysis.face;
  return (
    <dl class="facts">
      <dt>Size</dt>
      <dd>
        {analysis.width} × {analysis.height} px
      </dd>
      <dt>Faces found</dt>
      <dd>{analysis.facesFound}</dd>
      {face && (
        <>
          <dt>Face box</dt>
          <dd>
            x {Math.round(face.box.x)}, y {Math.round(face.box.y)}, {Math.round(face.box.width)} ×{' '}
            {Math.round(face.box.height)} px
          </dd>
          <dt>Confidence</dt>
          <dd>{face.confidence.toFixed(3)}</dd>
          <dt>Face size</dt>
          <dd>{Math.round(face.sizePx)} px</dd>
          {face.quality ? (
            <>
              <dt>Sharpness</dt>
              <dd>{face.quality.sharpness.toFixed(1)} (variance of the Laplacian)</dd>
              <dt>Brightness</dt>
              <dd>{face.quality.brightness.toFixed(1)} of 255</dd>
            </>
          ) : (
            <>
              <dt>Quality</dt>
              <dd>not measured (the engine did not align this face)</dd>
            </>
          )}
          <dt>Landmarks</dt>
          <dd>{landmarks > 0 ? `${landmarks} points` : 'not given by this engine'}</dd>
        </>
      )}
    </dl>
  );
}
