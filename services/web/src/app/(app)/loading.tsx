import { LoadingState } from '../../components/ui/states'

/**
 * While a page's data is fetched on the server, the header and this placeholder are already sent: the
 * browser loads the stylesheets and scripts during the wait instead of after it, and paints the page's
 * figures as soon as they stream in.
 */
export default function Loading() {
  return <LoadingState label="Loading the page…" lines={4} />
}
