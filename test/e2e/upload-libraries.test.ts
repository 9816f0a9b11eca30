// End-to-end: two real upload libraries from npm built into fixture pages: react-dropzone (React 19,
// bundled by the global setup) and Dropzone.js (its own dist build), each through its file input and
// through a drop. Their own code reads the files and uploads them (fetch; Dropzone's XHR).

import { identifyingDicom, pngFile, textFile } from './harness/fixture-files';
import { dropBuiltInPage, inputPayloads } from './harness/deliveries';
import { noExtensionRequestsTest, setUpGuardedSuite, uploadPathTests } from './harness/upload-path-suite';

const env = setUpGuardedSuite();

uploadPathTests(env, {
  title: 'react-dropzone, through its file input',
  url: (e) => `${e.server.originA}/react-dropzone.html`,
  identifying: () => ({ files: [identifyingDicom(1)] }),
  nonMedical: () => ({ files: [pngFile(1)] }),
  deliver: async (_e, scope, set) => scope.locator('#dropzone-input').setInputFiles(inputPayloads(set.files)),
});

uploadPathTests(env, {
  title: 'react-dropzone, through a drop',
  url: (e) => `${e.server.originA}/react-dropzone.html`,
  identifying: () => ({ files: [identifyingDicom(1), identifyingDicom(2)] }),
  nonMedical: () => ({ files: [pngFile(1), textFile(2)] }),
  deliver: async (_e, scope, set) => dropBuiltInPage(scope, scope.locator('#dropzone'), set.files),
});

uploadPathTests(env, {
  title: 'Dropzone.js, through its hidden file input',
  url: (e) => `${e.server.originA}/dropzone-js.html`,
  identifying: () => ({ files: [identifyingDicom(1)] }),
  nonMedical: () => ({ files: [pngFile(1)] }),
  deliver: async (_e, scope, set) => scope.locator('input.dz-hidden-input').setInputFiles(inputPayloads(set.files)),
});

uploadPathTests(env, {
  title: 'Dropzone.js, through a drop',
  url: (e) => `${e.server.originA}/dropzone-js.html`,
  identifying: () => ({ files: [identifyingDicom(1), identifyingDicom(2)] }),
  nonMedical: () => ({ files: [pngFile(1), textFile(2)] }),
  deliver: async (_e, scope, set) => dropBuiltInPage(scope, scope.locator('#dz'), set.files),
});

noExtensionRequestsTest(env);
