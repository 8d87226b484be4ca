export { functor, children, isLeaf, isShared, isPlainObject } from "./functor.js";
export { describe } from "./describe.js";
export type { Reconstruct } from "./functor.js";
export { registerFunctor, registerLeaf } from "./registry.js";
export type { FieldSpec } from "./registry.js";
export { fmap, fmapStructure, fmapWithPath, fmapStructureWithPath, fcollect, fleaves } from "./maps.js";
export type { FmapOptions, FmapWithPathOptions, Fmapped, LeafValue } from "./types.js";
export { KeyPath, getKeyPath, hasKeyPath, setKeyPath } from "./key-path.js";
export type { Key } from "./key-path.js";
export {
  execute,
  mapChildren,
  DefaultWalk,
  StructuralWalk,
  ExcludeWalk,
  CachedWalk,
  CollectWalk,
  FlattenWalk,
  IterateWalk,
  DefaultWalkWithPath,
  StructuralWalkWithPath,
  ExcludeWalkWithKeyPath,
  CachedWalkWithPath,
  NO_PRUNE,
} from "./walks.js";
export type { Walk, Recurse } from "./walks.js";
export { SelectWalk, SelectWalkWithPath } from "./select-walk.js";
export type { SelectWalkOptions } from "./select-walk.js";
