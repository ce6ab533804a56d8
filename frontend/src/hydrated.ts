/**
 * The attribute the app sets on `<html>` once it has drawn the page or taken over the one the server drew (./main.tsx):
 * from then on the page's buttons and fields are the app's. The browser tests and `bench:web` wait for it.
 */
export const HYDRATED_ATTRIBUTE = "data-hydrated";
