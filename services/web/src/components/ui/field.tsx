import {
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useId,
} from 'react'
import styles from './ui.module.css'

/** A labelled form control: the label is always there (visible), the hint is tied to it by aria-describedby. */
export function Field({
  label,
  hint,
  children,
}: {
  label: string
  hint?: string
  children: (props: { id: string; 'aria-describedby'?: string; className: string }) => ReactNode
}) {
  const id = useId()
  const hintId = `${id}-hint`
  return (
    <div className={styles.field}>
      <label htmlFor={id} className={styles.label}>
        {label}
      </label>
      {children({ id, className: styles.input as string, ...(hint ? { 'aria-describedby': hintId } : {}) })}
      {hint ? (
        <span id={hintId} className={styles.hint}>
          {hint}
        </span>
      ) : null}
    </div>
  )
}

export function TextInput({
  label,
  hint,
  ...props
}: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string }) {
  return (
    <Field label={label} {...(hint ? { hint } : {})}>
      {(p) => <input {...p} {...props} />}
    </Field>
  )
}

export function TextArea({
  label,
  hint,
  ...props
}: TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string; hint?: string }) {
  return (
    <Field label={label} {...(hint ? { hint } : {})}>
      {(p) => <textarea {...p} {...props} />}
    </Field>
  )
}

export function Select({
  label,
  hint,
  options,
  ...props
}: SelectHTMLAttributes<HTMLSelectElement> & {
  label: string
  hint?: string
  options: readonly { value: string; label: string }[]
}) {
  return (
    <Field label={label} {...(hint ? { hint } : {})}>
      {(p) => (
        <select {...p} {...props}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  )
}
