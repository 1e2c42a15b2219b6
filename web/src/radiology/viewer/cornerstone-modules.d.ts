// cornerstone-core 2.6, cornerstone-tools 6, cornerstone-math, hammerjs and cornerstone-wado-image-loader
// 4.13 ship no TypeScript types (dicom-parser does): the parts the viewer calls, typed loosely (their objects are plain
// JavaScript shapes documented in each project's README).
declare module 'cornerstone-core' {
  export interface Viewport {
    scale: number;
    translation: { x: number; y: number };
    voi: { windowWidth: number; windowCenter: number };
    invert: boolean;
    rotation: number;
    hflip: boolean;
    vflip: boolean;
    pixelReplication?: boolean;
  }
  export interface Image {
    imageId: string;
    rows: number;
    columns: number;
    width: number;
    height: number;
    color: boolean;
    windowCenter?: number | number[];
    windowWidth?: number | number[];
    slope: number;
    intercept: number;
    minPixelValue: number;
    maxPixelValue: number;
    rowPixelSpacing?: number;
    columnPixelSpacing?: number;
    getPixelData(): ArrayLike<number>;
    [key: string]: unknown;
  }
  export interface EnabledElement { element: HTMLElement; image?: Image; viewport?: Viewport; canvas: HTMLCanvasElement }
  const cornerstone: {
    enable(element: HTMLElement, options?: Record<string, unknown>): void;
    disable(element: HTMLElement): void;
    loadImage(imageId: string): Promise<Image>;
    loadAndCacheImage(imageId: string): Promise<Image>;
    displayImage(element: HTMLElement, image: Image, viewport?: Partial<Viewport>): void;
    getViewport(element: HTMLElement): Viewport | undefined;
    setViewport(element: HTMLElement, viewport: Partial<Viewport>): void;
    getDefaultViewportForImage(element: HTMLElement, image: Image): Viewport;
    reset(element: HTMLElement): void;
    resize(element: HTMLElement, forceFitToWindow?: boolean): void;
    fitToWindow(element: HTMLElement): void;
    getEnabledElement(element: HTMLElement): EnabledElement;
    updateImage(element: HTMLElement): void;
    registerImageLoader(scheme: string, loader: unknown): void;
    metaData: { get(type: string, imageId: string): any; addProvider(provider: (type: string, imageId: string) => unknown, priority?: number): void };
    imageCache: { setMaximumSizeBytes(bytes: number): void; purgeCache(): void };
    events: { addEventListener(type: string, listener: (event: Event) => void): void; removeEventListener(type: string, listener: (event: Event) => void): void };
    EVENTS: Record<string, string>;
    [key: string]: any;
  };
  export default cornerstone;
}

declare module 'cornerstone-tools' {
  const cornerstoneTools: {
    external: { cornerstone: unknown; cornerstoneMath: unknown; Hammer: unknown };
    init(configuration?: Record<string, unknown>): void;
    addTool(tool: unknown, configuration?: Record<string, unknown>): void;
    addToolForElement(element: HTMLElement, tool: unknown, configuration?: Record<string, unknown>): void;
    setToolActive(name: string, options: Record<string, unknown>): void;
    setToolActiveForElement(element: HTMLElement, name: string, options: Record<string, unknown>): void;
    setToolPassive(name: string, options?: Record<string, unknown>): void;
    setToolPassiveForElement(element: HTMLElement, name: string, options?: Record<string, unknown>): void;
    setToolEnabledForElement(element: HTMLElement, name: string, options?: Record<string, unknown>): void;
    setToolDisabledForElement(element: HTMLElement, name: string, options?: Record<string, unknown>): void;
    addStackStateManager(element: HTMLElement, types: string[]): void;
    addToolState(element: HTMLElement, toolType: string, data: unknown): void;
    getToolState(element: HTMLElement, toolType: string): { data: any[] } | undefined;
    clearToolState(element: HTMLElement, toolType: string): void;
    importInternal(path: string): unknown;
    stackPrefetch: { enable(element: HTMLElement): void; disable(element: HTMLElement): void; setConfiguration(config: Record<string, unknown>): void; getConfiguration(): Record<string, unknown> };
    globalImageIdSpecificToolStateManager: { clear(element: HTMLElement): void; restoreToolState(state: unknown): void; saveToolState(): Record<string, any> };
    EVENTS: Record<string, string>;
    [tool: string]: any;
  };
  export default cornerstoneTools;
}

declare module 'cornerstone-math' {
  const cornerstoneMath: Record<string, unknown>;
  export default cornerstoneMath;
}

declare module 'hammerjs' {
  const Hammer: unknown;
  export default Hammer;
}

declare module 'cornerstone-wado-image-loader' {
  const loader: {
    external: { cornerstone: unknown; dicomParser: unknown };
    configure(options: { beforeSend?(xhr: XMLHttpRequest, imageId: string, defaultHeaders: Record<string, string>, params: unknown): Record<string, string> | void; strict?: boolean; decodeConfig?: Record<string, unknown>; useWebWorkers?: boolean }): void;
    webWorkerManager: { initialize(config: Record<string, unknown>): void; terminate(): void };
    wadouri: {
      dataSetCacheManager: { purge(): void; unload(uri: string): void; isLoaded(uri: string): boolean };
      fileManager: { add(file: File): string; purge(): void };
      metaData: { metaDataProvider(type: string, imageId: string): unknown };
    };
    wadors: { metaDataManager: { add(imageId: string, metadata: unknown): void; get(imageId: string): unknown; purge(): void } };
    [key: string]: any;
  };
  export default loader;
}
