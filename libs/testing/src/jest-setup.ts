// cdktf's matchers (toHaveResource, toHaveResourceWithProperties, toBeValidTerraform, ...).
import { Testing } from 'cdktf';

Testing.setupJest();

// The AWS SDK warns on Node < 22 that SDK releases after January 2027 will need Node 22. The
// versions pinned in package-lock.json support Node 20; the warning (one per test process, and
// per CLI subprocess a test starts) says nothing about the code under test.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
