/** A required one-line field with its label; `secret` hides what is typed (a token, a client secret). */
export function TextField({
  label,
  value,
  onInput,
  secret = false,
}: {
  label: string;
  value: string;
  onInput: (value: string) => void;
  secret?: boolean;
}) {
  return (
    <label>
      {label}
      <input
        type={secret ? 'password' : 'text'}
        value={value}
        onInput={(event) => onInput(event.currentTarget.value)}
        autoComplete="off"
        required
      />
    </label>
  );
}
