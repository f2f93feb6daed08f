import Link from 'next/link'
import type { ButtonHTMLAttributes, ReactNode } from 'react'
import styles from './ui.module.css'

type Variant = 'primary' | 'secondary' | 'danger' | 'ghost'

function classes(variant: Variant, size: 'normal' | 'small', extra?: string): string {
  return [styles.button, variant !== 'secondary' && styles[variant], size === 'small' && styles.small, extra]
    .filter(Boolean)
    .join(' ')
}

export function Button({
  variant = 'secondary',
  size = 'normal',
  className,
  type = 'button',
  ...props
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; size?: 'normal' | 'small' }) {
  return <button type={type} className={classes(variant, size, className)} {...props} />
}

export function ButtonLink({
  href,
  variant = 'secondary',
  size = 'normal',
  children,
}: {
  href: string
  variant?: Variant
  size?: 'normal' | 'small'
  children: ReactNode
}) {
  return (
    <Link href={href} className={classes(variant, size)}>
      {children}
    </Link>
  )
}
