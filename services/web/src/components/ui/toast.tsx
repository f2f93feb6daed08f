'use client'

import * as RadixToast from '@radix-ui/react-toast'
import { createContext, type ReactNode, useCallback, useContext, useState } from 'react'
import styles from './ui.module.css'

export interface ToastMessage {
  title: string
  text?: string
  tone?: 'good' | 'bad' | 'info'
}

const ToastContext = createContext<(toast: ToastMessage) => void>(() => {})

/** Toasts (Radix: announced politely to screen readers, swipe or Escape to dismiss, paused on hover). */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<(ToastMessage & { id: number })[]>([])
  const show = useCallback(
    (toast: ToastMessage) => setToasts((all) => [...all, { ...toast, id: Date.now() + Math.random() }]),
    [],
  )
  return (
    <ToastContext.Provider value={show}>
      <RadixToast.Provider duration={6000} label="Notifications">
        {children}
        {toasts.map((t) => (
          <RadixToast.Root
            key={t.id}
            className={styles.toast}
            data-tone={t.tone ?? 'info'}
            onOpenChange={(open) => {
              if (!open) setToasts((all) => all.filter((x) => x.id !== t.id))
            }}
          >
            <RadixToast.Title className={styles.toastTitle}>{t.title}</RadixToast.Title>
            {t.text ? (
              <RadixToast.Description className={styles.toastText}>{t.text}</RadixToast.Description>
            ) : null}
          </RadixToast.Root>
        ))}
        <RadixToast.Viewport className={styles.toastViewport} />
      </RadixToast.Provider>
    </ToastContext.Provider>
  )
}

export function useToast(): (toast: ToastMessage) => void {
  return useContext(ToastContext)
}
