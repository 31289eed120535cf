import type {
  CreateDashboardRequest,
  DeleteDashboardRequest,
  GetDashboardRequest,
  ListDashboardsRequest,
  UpdateDashboardRequest,
} from '@yandex-cloud/nodejs-sdk/monitoring-v3/dashboard_service';
import type {
  ListAccessBindingsRequest,
  SetAccessBindingsRequest,
  UpdateAccessBindingsRequest,
} from '@yandex-cloud/nodejs-sdk/proto/access/access';
import type {
  CreateFunctionRequest,
  CreateFunctionVersionRequest,
  GetFunctionRequest,
  GetFunctionVersionByTagRequest,
  ListFunctionsRequest,
  ListFunctionsVersionsRequest,
  UpdateFunctionRequest,
} from '@yandex-cloud/nodejs-sdk/serverless-functions-v1/function_service';
import type {
  CreateTriggerRequest,
  DeleteTriggerRequest,
  GetTriggerRequest,
  ListTriggersRequest,
  UpdateTriggerRequest,
} from '@yandex-cloud/nodejs-sdk/serverless-triggers-v1/trigger_service';

/** The methods that change something, each answered with an Operation. */
export interface ServerlessMutations {
  'FunctionService/Create': CreateFunctionRequest;
  'FunctionService/Update': UpdateFunctionRequest;
  'FunctionService/CreateVersion': CreateFunctionVersionRequest;
  'FunctionService/SetAccessBindings': SetAccessBindingsRequest;
  'FunctionService/UpdateAccessBindings': UpdateAccessBindingsRequest;
  'TriggerService/Create': CreateTriggerRequest;
  'TriggerService/Update': UpdateTriggerRequest;
  'TriggerService/Delete': DeleteTriggerRequest;
  'DashboardService/Create': CreateDashboardRequest;
  'DashboardService/Update': UpdateDashboardRequest;
  'DashboardService/Delete': DeleteDashboardRequest;
}

/**
 * Each serverless method the fake answers, by its recorded name, and its request. The resource
 * manager's ListAccessBindings are here too: a deployer reads them beside its function's; and so
 * is Monitoring's DashboardService, whose dashboard a deployer makes beside its function.
 */
export interface ServerlessRequests extends ServerlessMutations {
  'FunctionService/Get': GetFunctionRequest;
  'FunctionService/List': ListFunctionsRequest;
  'FunctionService/GetVersionByTag': GetFunctionVersionByTagRequest;
  'FunctionService/ListVersions': ListFunctionsVersionsRequest;
  'FunctionService/ListAccessBindings': ListAccessBindingsRequest;
  'TriggerService/Get': GetTriggerRequest;
  'TriggerService/List': ListTriggersRequest;
  'FolderService/ListAccessBindings': ListAccessBindingsRequest;
  'CloudService/ListAccessBindings': ListAccessBindingsRequest;
  'DashboardService/Get': GetDashboardRequest;
  'DashboardService/List': ListDashboardsRequest;
}

export type ServerlessMethod = keyof ServerlessRequests;
export type MutatingMethod = keyof ServerlessMutations;
