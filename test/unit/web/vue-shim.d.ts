// For the root tsconfig (plain tsc, no Vue tooling): a .vue import is a component. vue-tsc (web/tsconfig.json)
// excludes this file and checks the real components.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<Record<string, unknown>, Record<string, unknown>, unknown>;
  export default component;
}
