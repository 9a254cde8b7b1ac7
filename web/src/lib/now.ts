import { onBeforeUnmount, ref, watch, type Ref } from 'vue';

/**
 * The current time, refreshed every `intervalMs` while the component is mounted and `active()` holds (for clocks
 * and countdowns; a closed approval card in a long chat keeps no timer running).
 */
export function useNow(intervalMs = 1000, active: () => boolean = () => true): Ref<number> {
  const now = ref(Date.now());
  let timer: ReturnType<typeof setInterval> | undefined;
  const stop = (): void => {
    clearInterval(timer);
    timer = undefined;
  };
  watch(
    active,
    (on) => {
      stop();
      if (!on) return;
      now.value = Date.now();
      timer = setInterval(() => (now.value = Date.now()), intervalMs);
    },
    { immediate: true },
  );
  onBeforeUnmount(stop);
  return now;
}
