export { profileColumn, type ProfileColumnOptions } from './profile-column.js';
export { profileDataset, type DatasetColumn, type ProfileDatasetInput } from './profile-dataset.js';
export { profileNumeric } from './numeric-profile.js';
export { profileCategorical, type Category } from './categorical-profile.js';
export { quantileSorted } from './quantile.js';
export { binCounts, binIndex } from './histogram.js';
export type { ProfileOptions } from './options.js';
